import { app, namespaceWrapper } from "@_koii/task-manager/namespace-wrapper";

export async function routes() {
  // Served by the node under /task/{taskId}/value.
  app.get("/value", async (_req, res) => {
    const value = await namespaceWrapper.storeGet("value");
    res.status(200).json({ value });
  });
}
