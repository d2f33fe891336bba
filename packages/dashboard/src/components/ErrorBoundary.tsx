import { Component, type ErrorInfo, type ReactNode } from "react";
import { Message } from "./Message.tsx";

/** Keeps one broken view from blanking the page: it shows what failed and how to get back. */
export class ErrorBoundary extends Component<
  { readonly children: ReactNode; readonly resetKey: string },
  { error: Error | undefined }
> {
  override state: { error: Error | undefined } = { error: undefined };

  static getDerivedStateFromError(error: Error): { error: Error } {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error("dashboard view failed", error, info.componentStack);
  }

  override componentDidUpdate(previous: { readonly resetKey: string }): void {
    if (previous.resetKey !== this.props.resetKey && this.state.error !== undefined)
      this.setState({ error: undefined });
  }

  override render(): ReactNode {
    if (this.state.error === undefined) return this.props.children;
    return (
      <Message kind="error" title="This view could not be drawn">
        <p>
          <code>{this.state.error.message}</code>
        </p>
        <p>
          The data on the ledger is fine; this page hit a bug. Go back to the <a href="#/">overview</a> or reload;
          please report it with the message above.
        </p>
      </Message>
    );
  }
}
