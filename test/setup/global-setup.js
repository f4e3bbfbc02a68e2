export { setup as default } from "./go-cache.js";
