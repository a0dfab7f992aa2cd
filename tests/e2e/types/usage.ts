// Compiled with `tsc --noEmit --strict` by tests/e2e/types.test.mjs against the built pkg/: the
// shipped types must describe the API as documented. The @ts-expect-error lines must stay errors.
import { mount, parseReturn, completeReturn, load, loadReturnPage } from "fps-checkout";
import type { CheckoutOptions, FpsCheckoutError, CbuiReturn, ReturnVerdict, Checkout } from "fps-checkout";

const options: CheckoutOptions = {
  signEndpoint: "/fps/sign",
  callerKey: "AKIAIOSFODNN7EXAMPLE",
  amount: "12.34",
  callerReference: "order-42",
  pipeline: "MultiUse",
  params: { globalAmountLimit: "100" },
  theme: "dark",
  size: "large",
  onReady: ({ url }) => console.log(url.length),
  onRedirect: () => false,
  onError: (error: FpsCheckoutError) => console.log(error.code === "TAMPERED_SIGNATURE_RESPONSE"),
  onCancel: () => undefined,
};

export async function demo(): Promise<void> {
  await load();
  await loadReturnPage();
  const checkout: Checkout = await mount("#pay", options);
  const state: "loading" | "ready" | "redirecting" | "error" | "unmounted" = checkout.state;
  const url: string | undefined = checkout.url;
  checkout.unmount();
  const parsed: CbuiReturn = await parseReturn("status=SA");
  const ok: boolean = parsed.isSuccess;
  const token: string | null = parsed.tokenID;
  const verdict: ReturnVerdict = await completeReturn({ verifyEndpoint: "/fps/return" });
  console.log(state, url, ok, token, verdict.status);
}

// @ts-expect-error amounts are strings, never numbers
export const badAmount: CheckoutOptions = { signEndpoint: "/s", callerKey: "K", amount: 12.34 };
// @ts-expect-error signEndpoint is required
export const noEndpoint: CheckoutOptions = { callerKey: "K" };
// @ts-expect-error not a pipeline
export const badPipeline: CheckoutOptions = { signEndpoint: "/s", callerKey: "K", pipeline: "OneShot" };
