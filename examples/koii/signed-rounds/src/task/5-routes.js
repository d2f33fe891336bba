import { app, namespaceWrapper } from "@_koii/namespace-wrapper";
import { roundKey } from "./1-task.js";

export async function routes() {
  app.get("/rounds/:round", async (req, res) => {
    const signed = await namespaceWrapper.storeGet(roundKey(Number(req.params.round)));
    if (signed === null) return res.status(404).json({ error: "no such round" });
    res.json({ round: Number(req.params.round), signed, signer: await namespaceWrapper.getMainAccountPubkey() });
  });
}
