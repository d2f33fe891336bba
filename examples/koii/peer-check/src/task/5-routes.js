import { app, namespaceWrapper } from "@_koii/namespace-wrapper";
import { roundKey } from "./1-task.js";

export async function routes() {
  app.get("/values/:round", async (req, res) => {
    const value = await namespaceWrapper.storeGet(roundKey(Number(req.params.round)));
    if (value === null) return res.status(404).send("no value for that round");
    res.type("text/plain").send(value);
  });
}
