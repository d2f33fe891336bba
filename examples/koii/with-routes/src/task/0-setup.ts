import { namespaceWrapper } from "@_koii/task-manager/namespace-wrapper";

export async function setup(): Promise<void> {
  const base = await namespaceWrapper.getBasePath();
  console.log(`with-routes: files go to ${base}; greeting ${process.env.GREETING}`);
}
