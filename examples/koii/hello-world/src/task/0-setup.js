export async function setup() {
  // Runs once when the node starts the task.
  console.log("hello-world: setup");
}
