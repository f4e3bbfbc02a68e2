export { teardown as default } from "./go-cache.js";
