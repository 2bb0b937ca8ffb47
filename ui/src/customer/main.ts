// The customer-facing window: a page of its own, with its own small catalog, so it
// loads fast and holds nothing of the operator's screens.
import { mount } from "svelte";
import Customer from "./Customer.svelte";
import { bootSettings } from "../lib/startup";
import { useSystemFonts } from "../lib/fonts";
import "../styles/global.css";

useSystemFonts(document.documentElement);
const target = document.getElementById("customer");
if (!target) throw new Error("#customer missing from customer.html");
export default mount(Customer, {
  target,
  props: { language: bootSettings?.language ?? "zh-CN" },
});
