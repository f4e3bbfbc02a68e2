// `/agent stop`: not a task but a request to end the target's queued or running job. It is
// recognised here (pure), and handled beside the queue, never queued behind the job it stops.
import type { TaskTarget } from "../pipeline/task.js";
import type { AgentCommand } from "./command.js";

export interface StopRequest {
  deliveryId: string;
  installationId?: number;
  target: TaskTarget;
  /** Who asked; their permission is checked before anything stops. */
  actor: string;
  actorId?: number;
  /** The command word the comment used. */
  command: string;
  commentId: number;
  at: string;
}

/** `/agent stop` alone on its line (a trailing "." or "!" allowed), with nothing below it. */
export function isStopCommand(command: AgentCommand): boolean {
  return !command.agent && /^stop[.!]?$/i.test(command.instruction.trim());
}
