export async function audit(submission, roundNumber, submitterKey) {
  // Whether another node's submission is right.
  console.log(`hello-world: audit of ${submitterKey} for round ${roundNumber}`);
  return submission === "Hello, World!";
}
