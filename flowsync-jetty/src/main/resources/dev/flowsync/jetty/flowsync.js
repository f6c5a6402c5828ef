// Placeholder: the FlowSync browser client is written on the web-client branch and replaces this
// file. The server serves whatever is here at /flowsync.js.
export class FlowSync {}
