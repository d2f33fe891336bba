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
