// Assertions on a Status that print it when they fail: a node's Status carries the tail of its
// log, which is what a red CI run needs to be understood. `expr` is evaluated once.
#pragma once

#include <gtest/gtest.h>

#include "core/status.h"

#define TONGHOP_STATUS_CHECK_(check, expr)                              \
  do {                                                                  \
    const ::tonghop::Status tonghop_status_ = (expr);                   \
    check(tonghop_status_.ok()) << #expr << ": " << tonghop_status_.ToString(); \
  } while (0)

#define ASSERT_OK(expr) TONGHOP_STATUS_CHECK_(ASSERT_TRUE, expr)
#define EXPECT_OK(expr) TONGHOP_STATUS_CHECK_(EXPECT_TRUE, expr)
