/** Sections and pages that are not on the first screen: each is its own chunk, loaded at
 *  its first visit, so the page's first script is smaller and starts sooner (issue 16).
 *  Each is loaded once; the promise is kept. */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => (loading ??= load());
}

export const lazy = {
  orders: once(() => import("../sections/orders/Orders.svelte")),
  orderDetail: once(() => import("../sections/orders/OrderDetail.svelte")),
  download: once(() => import("../sections/download/Download.svelte")),
  certificates: once(() => import("../sections/certificates/Certificates.svelte")),
  invoices: once(() => import("../sections/invoices/Invoices.svelte")),
  environment: once(() => import("../sections/Environment.svelte")),
  settings: once(() => import("../sections/Settings.svelte")),
  counter: once(() => import("../sections/counter/Counter.svelte")),
  // The application's later start pages: the first screen after sign-in is the channel.
  businessPage: once(() => import("../sections/apply/start/BusinessPage.svelte")),
  methodPage: once(() => import("../sections/apply/start/MethodPage.svelte")),
  enterpriseForm: once(() => import("../sections/apply/EnterpriseForm.svelte")),
  // Counter mode's header: shown only to a signed-in operator, never on a first screen.
  operatorHeader: once(() => import("../sections/counter/OperatorHeader.svelte")),
};
