import { app, namespaceWrapper } from "@_koii/task-manager/namespace-wrapper";

export async function routes() {
  // The last result, under /task/{taskId}/result.
  app.get("/result", async (_req, res) => {
    res.status(200).json({ result: await namespaceWrapper.storeGet("result") });
  });
}
