// GLib and GStreamer keep process-wide allocations (type system, plugin registry, DTLS
// certificate) until exit on purpose; LeakSanitizer must not report those as our leaks.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libglib-2.0\nleak:libgobject-2.0\nleak:libgstreamer-1.0\nleak:libgio-2.0\n"
         "leak:libgst\nleak:libnice\nleak:libcrypto\nleak:libssl\nleak:libusrsctp\nleak:libgnutls\n";
}
