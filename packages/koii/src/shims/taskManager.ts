/** What `@_koii/task-manager` resolves to in a Koii task bundled by gradual (buildKoiiTask). */
export {
  getTaskManager,
  initializeTaskManager,
  type KoiiDistributionList as DistributionList,
  type KoiiSubmitter as Submitter,
  taskRunner,
} from "../runtime/taskManager.ts";
