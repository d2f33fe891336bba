import { initializeTaskManager } from "@_koii/task-manager";
import { audit } from "./task/audit.js";
import { distribution } from "./task/distribution.js";
import { submission } from "./task/submission.js";
import { task } from "./task/task.js";

initializeTaskManager({ task, submission, audit, distribution });
