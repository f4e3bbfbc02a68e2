// The services folder's public face: the port, the adapter, and what runJob uses.

export { type StartedServices, servicesMaterial, sharedServices, startJobServices } from "./job-services.js";
export { createLocalServices, type LocalServices } from "./local-services.js";
export type {
  JobServices,
  ScratchDatabase,
  ServiceProblem,
  Services,
  ServicesRequest,
  ServiceUse,
} from "./services.js";
export { reportServices, SERVICES_ROW, type ServicesReport, servicesSuggestion } from "./services-verdict.js";
export { withServices } from "./with-services.js";
