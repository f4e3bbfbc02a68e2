#!/usr/bin/env node
// The CLI's executable: runs the compiled CLI (`npm run build` first).
import "../dist/cli.js";
