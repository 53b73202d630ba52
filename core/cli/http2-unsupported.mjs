// Stands in for got's `http2-wrapper` in the bundle (core/cli/build.mjs). got loads it at start for
// its `http2: true` option only, and with it node's HTTP/2 modules: ≈ 10 ms and 1 MiB at every start
// for an option no source uses. Asking for it fails with this message.
function unsupported() {
  const err = new Error("got's http2 option is not available in HomeIQ Sources (its bundle leaves out http2-wrapper); use HTTP/1.1");
  err.code = 'EUNSUPPORTED';
  throw err;
}

export default {
  get globalAgent() {
    return unsupported();
  },
  auto: unsupported,
};
