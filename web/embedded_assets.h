// The files of web/assets/, compiled into the binary (web/CMakeLists.txt generates the table from
// the folder with web/embed_assets.cmake); web/asset_store.h serves them.
#pragma once

#include <cstddef>

namespace tonghop::web {

struct EmbeddedAsset {
  const char* name;  // file name in web/assets/, e.g. "app.js"
  const unsigned char* data;
  size_t size;
};

extern const EmbeddedAsset kEmbeddedAssets[];
extern const size_t kEmbeddedAssetCount;

}  // namespace tonghop::web
