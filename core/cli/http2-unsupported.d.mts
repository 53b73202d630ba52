// Types of core/cli/http2-unsupported.mjs.
declare const http2: { readonly globalAgent: never; auto(): never };
export default http2;
