#pragma once
// Every command of the text protocol, once: its id, its name on the wire, the handler that runs
// it (protocol/src/handlers.h) and its kind. The CommandId enum, the parser's name lookup and the
// executor's handler table are all expanded from this list, so a command added here without a
// handler does not compile, and one left out of here does not exist anywhere.
//
// Kinds: kRetrieval (get/gets/gat/gats: many keys, answered in pieces), kStorage (a data block
// follows the line), kMeta (meta commands: errors are always answered), kMetaStorage (ms: both),
// kOther.
#define CACHELAB_COMMANDS(X)                                  \
  X(kGet, "get", handle_get, kRetrieval)                      \
  X(kGets, "gets", handle_get, kRetrieval)                    \
  X(kGat, "gat", handle_get, kRetrieval)                      \
  X(kGats, "gats", handle_get, kRetrieval)                    \
  X(kSet, "set", handle_storage, kStorage)                    \
  X(kAdd, "add", handle_storage, kStorage)                    \
  X(kReplace, "replace", handle_storage, kStorage)            \
  X(kAppend, "append", handle_storage, kStorage)              \
  X(kPrepend, "prepend", handle_storage, kStorage)            \
  X(kCas, "cas", handle_storage, kStorage)                    \
  X(kDelete, "delete", handle_delete, kOther)                 \
  X(kIncr, "incr", handle_arith, kOther)                      \
  X(kDecr, "decr", handle_arith, kOther)                      \
  X(kTouch, "touch", handle_touch, kOther)                    \
  X(kFlushAll, "flush_all", handle_flush_all, kOther)         \
  X(kVersion, "version", handle_version, kOther)              \
  X(kVerbosity, "verbosity", handle_verbosity, kOther)        \
  X(kQuit, "quit", handle_quit, kOther)                       \
  X(kStats, "stats", handle_stats, kOther)                    \
  X(kShutdown, "shutdown", handle_shutdown, kOther)           \
  X(kRefreshCerts, "refresh_certs", handle_refresh_certs, kOther) \
  X(kMetaGet, "mg", handle_meta_get, kMeta)                   \
  X(kMetaSet, "ms", handle_meta_set, kMetaStorage)            \
  X(kMetaDelete, "md", handle_meta_delete, kMeta)             \
  X(kMetaArith, "ma", handle_meta_arith, kMeta)               \
  X(kMetaNoop, "mn", handle_meta_noop, kMeta)                 \
  X(kMetaDebug, "me", handle_meta_debug, kMeta)
