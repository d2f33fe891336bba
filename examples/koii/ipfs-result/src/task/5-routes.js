import { app, namespaceWrapper } from "@_koii/namespace-wrapper";

export async function routes() {
  app.get("/cid/:round", async (req, res) => {
    const cid = await namespaceWrapper.storeGet(`cid:${Number(req.params.round)}`);
    if (cid === null) return res.status(404).send("no result for that round");
    res.json({ cid });
  });
}
