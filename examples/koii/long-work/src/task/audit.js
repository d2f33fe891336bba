import { WORK_SECONDS } from "./task.js";

/** A submission is right when it reports at least the two minutes of work every round asks for. */
export async function audit(submission) {
  const match = /^worked (\d+) s in (\d+) steps$/.exec(String(submission));
  return match !== null && Number(match[1]) >= WORK_SECONDS;
}
