// The customer window's own words: the applicant reads only these, so the window does
// not load the operator's catalog. Chinese first, English second, same keys.
import type { CodeAnswerProblem, Language, PaymentProvider, PinAnswerProblem } from "../lib/ipc/bindings";

/** Fen as yuan with two decimals, e.g. 40000 → "400.00". */
const yuan = (fen: number) => (fen / 100).toFixed(2);

const zh = {
  brand: "证书助手",
  other: "English",
  welcome: "欢迎办理数字证书",
  welcomeHint: "需要您操作时，这里会提示您。",
  pinTitle: "请设置您的 USBKey 口令（PIN）",
  pinHint: (min: number, max: number) =>
    `${min}–${max} 位，不要用相同数字或 123456 这样的连续数字。口令只由您本人输入，工作人员看不到，也不会被记录。`,
  pin: "口令",
  again: "再次输入口令",
  pinSubmit: "确定",
  pinProblem: {
    too_short: "口令太短。",
    too_long: "口令太长。",
    trivial: "口令太简单：请不要使用相同数字或连续数字。",
    mismatch: "两次输入的口令不一致，请重新输入。",
    characters: "口令只能包含字母、数字和常见符号，不能有空格。",
    token_refused: "USBKey 不接受这个口令，请换一个。",
  } satisfies Record<PinAnswerProblem, string>,
  working: "正在为您制作 USBKey，请稍候……",
  codeTitle: "请输入短信验证码，确认领取 USBKey",
  codeHint: (tail: string | null) =>
    tail ? `验证码已发送到尾号 ${tail} 的手机。` : "验证码已发送到经办人手机。",
  code: "验证码",
  codeSubmit: "确认领取",
  codeProblem: {
    malformed: "验证码为 4–8 位数字。",
    wrong: "验证码不正确，请核对短信后重新输入。",
  } satisfies Record<CodeAnswerProblem, string>,
  payTitle: (provider: PaymentProvider): string => `请用${provider === "alipay" ? "支付宝" : "微信"}扫码支付`,
  payAmount: (fen: number): string => `应付金额：¥${yuan(fen)}`,
  payHint: (until: string): string => `请在 ${until} 前完成支付。支付完成后这里会提示，工作人员也会看到。`,
  payQr: (provider: PaymentProvider): string => (provider === "alipay" ? "支付宝付款码" : "微信支付付款码"),
  paid: (fen: number): string => `已收到您支付的 ¥${yuan(fen)}，谢谢！`,
  paidHint: "请稍候，工作人员会继续为您办理。",
  done: "USBKey 已制作完成，请收好。",
  doneHint: "请牢记您设置的口令。感谢您的耐心等待！",
  failed: "没有提交成功，请再试一次或告诉工作人员。",
};

export type CustomerCatalog = typeof zh;

const en: CustomerCatalog = {
  brand: "CertDesk",
  other: "中文",
  welcome: "Welcome",
  welcomeHint: "This screen tells you when something is needed from you.",
  pinTitle: "Set the PIN of your USBKey",
  pinHint: (min, max) =>
    `${min}–${max} characters; not one repeated digit or a run like 123456. Only you type it: the staff cannot see it and it is not recorded.`,
  pin: "PIN",
  again: "PIN again",
  pinSubmit: "OK",
  pinProblem: {
    too_short: "The PIN is too short.",
    too_long: "The PIN is too long.",
    trivial: "The PIN is too easy to guess: no repeated or consecutive digits.",
    mismatch: "The two entries differ. Please type the PIN again.",
    characters: "Letters, digits and common symbols only, no spaces.",
    token_refused: "The USBKey did not accept this PIN. Please choose another.",
  },
  working: "Your USBKey is being made. One moment, please…",
  codeTitle: "Type the SMS code to confirm you received the USBKey",
  codeHint: (tail) =>
    tail ? `The code was sent to the phone ending in ${tail}.` : "The code was sent to the handler's phone.",
  code: "SMS code",
  codeSubmit: "Confirm",
  codeProblem: {
    malformed: "The code is 4–8 digits.",
    wrong: "That code is not right. Please check the SMS and try again.",
  },
  payTitle: (provider) => `Scan to pay with ${provider === "alipay" ? "Alipay" : "WeChat Pay"}`,
  payAmount: (fen) => `Amount due: ¥${yuan(fen)}`,
  payHint: (until) => `Please pay before ${until}. This screen and the staff will see when it is done.`,
  payQr: (provider) => (provider === "alipay" ? "Alipay payment code" : "WeChat Pay payment code"),
  paid: (fen) => `We received your payment of ¥${yuan(fen)}. Thank you!`,
  paidHint: "One moment, please: the staff will go on with your application.",
  done: "Your USBKey is ready. Please take it with you.",
  doneHint: "Remember the PIN you set. Thank you for waiting!",
  failed: "That did not go through. Please try again or tell the staff.",
};

export const customerCatalogs: Record<Language, CustomerCatalog> = { "zh-CN": zh, en };
