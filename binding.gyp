{
  "targets": [
    {
      "target_name": "walb_native",
      "sources": ["<!@(node native/gyp-sources.mjs)"],
      "include_dirs": ["native/src"],
      "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17", "-std=c++17"],
      "cflags_cc": ["-std=c++17", "-O2", "-fexceptions", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "libraries": ["-llz4", "-lzstd", "-lsnappy", "-lz", "-llzma", "-lxxhash"]
    },
    {
      "target_name": "walbctl-wdev",
      "type": "<!(node native/wdev/gyp-sources.mjs type)",
      "sources": ["<!@(node native/wdev/gyp-sources.mjs sources)"],
      "include_dirs": ["native/src", "<!@(pkg-config --cflags-only-I fuse3 2>/dev/null | sed 's/-I//g')"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17", "-std=c++17", "-fno-rtti"],
      "cflags_cc": ["-std=c++17", "-O2", "-fexceptions", "-Wall", "-Wextra", "-Wno-unused-parameter", "-pthread"],
      "ldflags": ["-pthread"],
      "libraries": ["<!@(pkg-config --libs fuse3 2>/dev/null)", "-llz4", "-lzstd", "-lsnappy", "-lz", "-llzma"]
    }
  ]
}
