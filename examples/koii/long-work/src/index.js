import { initializeTaskManager } from "@_koii/task-manager";
import { audit } from "./task/audit.js";
import { distribution } from "./task/distribution.js";
import { routes } from "./task/routes.js";
import { setup } from "./task/setup.js";
import { submission } from "./task/submission.js";
import { task } from "./task/task.js";

initializeTaskManager({ setup, task, submission, audit, distribution, routes });
