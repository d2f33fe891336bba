import { app, namespaceWrapper } from "@_koii/task-manager/namespace-wrapper";

export async function routes(): Promise<void> {
  app.get("/value", async (_req, res) => {
    res.status(200).json({ value: await namespaceWrapper.storeGet("value") });
  });

  app.get("/rounds/:round", async (req, res) => {
    const value = await namespaceWrapper.storeGet(`round:${req.params.round}`);
    if (value === null) {
      res.status(404).send("no value for that round");
      return;
    }
    res.type("text/plain").send(value);
  });

  app.post("/echo", (req, res) => {
    res.json({ received: req.body, query: req.query });
  });

  // Notes kept in the node's store: PUT writes, GET reads, DELETE removes (every method reaches Express).
  app.put("/notes/:id", async (req, res) => {
    await namespaceWrapper.storeSet(`note:${req.params.id}`, JSON.stringify(req.body));
    res.status(201).json({ saved: req.params.id });
  });

  app.get("/notes/:id", async (req, res) => {
    const note = await namespaceWrapper.storeGet(`note:${req.params.id}`);
    if (note === null || note === "") {
      res.sendStatus(404);
      return;
    }
    res.type("application/json").send(note);
  });

  app.delete("/notes/:id", async (req, res) => {
    await namespaceWrapper.storeSet(`note:${req.params.id}`, "");
    res.sendStatus(204);
  });

  // An HTML form posts application/x-www-form-urlencoded; Koii's app parses it into req.body.
  app.post("/form", (req, res) => {
    res.json({ name: req.body.name, count: Number(req.body.count) });
  });

  // Bytes out: a 1x1 transparent GIF, exactly as written.
  app.get("/pixel.gif", (_req, res) => {
    res.type("image/gif").send(Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64"));
  });

  app.get("/state", async (_req, res) => {
    const state = await namespaceWrapper.getTaskState({ is_stake_list_required: true });
    res.json({
      name: state?.task_name,
      round: state?.current_round,
      stakers: Object.keys(state?.stake_list ?? {}).length,
      bountyPerRound: state?.bounty_amount_per_round,
    });
  });

  app.get("/submissions/:round", async (req, res) => {
    const round = Number(req.params.round);
    const info = await namespaceWrapper.getTaskSubmissionInfo(round);
    res.json(info?.submissions[round] ?? {});
  });
}
