#!/usr/bin/python3
"""A headless Chromium for the system tests (tests/browser.h), driven by Selenium.

It reads one JSON command per line on stdin and answers each with one JSON line on stdout:
  {"open": URL}                          -> {"ok": true}
  {"eval": JS}                           -> {"value": what `return <JS>` gave}
  {"wait": JS, "timeout_ms": N}          -> {"value": ..., "ms": N} once JS returns something truthy,
                                            polled every 25 ms; {"error": "timeout", "value": last}
  {"screenshot": PATH}                   -> {"ok": true}
  {"size": [WIDTH, HEIGHT]}              -> {"ok": true}
Its first line is {"ready": true}, or {"error": ...} when the browser cannot start. It ends at the
end of stdin. Chromium runs with a fresh profile and with every background fetch off: the
machines this runs on have no way out, and the dashboard must need none.
"""
import json
import shutil
import sys
import tempfile
import time


def reply(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def start():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1400,2000", "--lang=vi-VN"):
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="tonghop-chromium-")
    options.add_argument("--user-data-dir=" + profile)
    options.binary_location = "/usr/bin/chromium"
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_script_timeout(30)
    return driver, profile


def main():
    try:
        driver, profile = start()
    except Exception as error:  # noqa: BLE001 - whatever stops it, the test must say it
        reply({"error": f"cannot start headless Chromium ({type(error).__name__}: {error}); "
                        "deploy/install-deps.sh installs chromium, chromium-driver and python3-selenium"})
        return 1
    reply({"ready": True})
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            command = json.loads(line)
            try:
                if "open" in command:
                    driver.get(command["open"])
                    reply({"ok": True})
                elif "eval" in command:
                    reply({"value": driver.execute_script("return " + command["eval"])})
                elif "wait" in command:
                    start_time = time.monotonic()
                    deadline = start_time + command.get("timeout_ms", 10000) / 1000
                    while True:
                        value = driver.execute_script("return " + command["wait"])
                        if value:
                            reply({"value": value, "ms": (time.monotonic() - start_time) * 1000})
                            break
                        if time.monotonic() > deadline:
                            reply({"error": "timeout", "value": value})
                            break
                        time.sleep(0.025)
                elif "screenshot" in command:
                    driver.save_screenshot(command["screenshot"])
                    reply({"ok": True})
                elif "size" in command:
                    driver.set_window_size(*command["size"])
                    reply({"ok": True})
                else:
                    reply({"error": f"unknown command {sorted(command)}"})
            except Exception as error:  # noqa: BLE001 - reported to the test, which fails
                reply({"error": f"{type(error).__name__}: {error}"})
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
