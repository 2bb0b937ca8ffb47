// The Chinese catalog is the reference: its shape is the `Catalog` type, and the
// English catalog must match it key for key (the compiler checks).
import type { ErrorCode } from "../ipc/bindings";

const zhCN = {
  app: {
    name: "证书助手",
    subName: "CertDesk",
    tagline: "单位数字证书 · 申请到 USBKey 一站办理",
    skipToContent: "跳到主要内容",
  },
  nav: {
    label: "主导航",
    apply: "申请证书",
    orders: "订单管理",
    download: "证书下载",
    certificates: "我的证书",
    invoices: "发票",
    environment: "环境检测",
    settings: "设置",
  },
  sections: {
    apply: {
      title: "申请证书",
      lead: "单位证书新办：选择渠道，完成企业认证、经办人认证、信息确认、资料上传与支付。",
    },
    orders: {
      title: "订单管理",
      lead: "查看未完成与已完成订单，继续办理或取消未完成的订单。",
    },
    download: {
      title: "证书下载",
      lead: "审核通过后，凭密码卡把证书下载到插入的 USBKey：密钥在 USBKey 内生成，私钥不出设备。",
    },
    certificates: {
      title: "我的证书",
      lead: "查看 USBKey 中的证书、有效期与到期提醒，办理更新、变更、补办与修改 PIN 码。",
    },
    invoices: {
      title: "发票",
      lead: "查看、保存电子发票，或重新发送到邮箱。",
    },
    environment: {
      title: "环境检测",
      lead: "检查证书助手运行所需的环境，并给出修复建议。",
    },
    settings: {
      title: "设置",
      lead: "界面语言与 CA 服务地址。USBKey 驱动的设置将随设备功能提供。",
    },
  },
  notBuilt: {
    heading: "此功能尚未开放",
    body: "本版本还不能办理这一项业务。我们不会展示假数据；功能完成后将出现在这里。",
  },
  status: {
    label: "连接状态",
    ca: "CA 服务",
    caNotConfigured: "未配置",
    caChecking: "正在连接…",
    caOnline: "已连接",
    caOffline: "无法连接",
    retry: "重试",
    token: "USBKey",
    tokenChecking: "正在检测…",
    tokenNoDriver: "未找到 USBKey 驱动",
    tokenDriverFailed: "USBKey 驱动加载失败",
    tokenNone: "未插入",
    tokenPresent: "已插入",
    latency: "毫秒",
  },
  environment: {
    version: "软件版本",
    platform: "操作系统",
    dataDir: "数据目录",
    logDir: "日志目录",
    caService: "CA 服务地址",
    caReachable: "CA 服务连通性",
    notSet: "未设置",
    tokenChecks: "USBKey 驱动、智能卡服务与读卡器的逐项检测及修复建议尚未开放；当前 USBKey 状态见底部状态栏。",
    fixCa: "请检查网络，或在“设置”中确认 CA 服务地址。",
    setCa: "请在“设置”中填写 CA 服务地址。",
  },
  settings: {
    language: "界面语言",
    languageHint: "切换后立即生效，并在下次启动时保持。",
    caUrl: "CA 服务地址",
    caUrlHint: "留空则使用默认地址。仅支持 http:// 或 https:// 开头的地址。",
    caUrlPlaceholder: "例如 https://ca.example.cn",
    save: "保存",
    saved: "已保存",
  },
  languages: {
    "zh-CN": "简体中文",
    en: "English",
  },
  errors: {
    internal: "程序内部出错，请重试；如果反复出现，请在环境检测中导出诊断信息并联系客服。",
    invalid_input: "填写的内容有误，请检查标红的字段。",
    not_configured: "缺少必要的设置，请到“设置”中完成配置。",
    ca_unreachable: "无法连接 CA 服务，请检查网络后重试。已填写的内容不会丢失。",
    ca_protocol: "CA 服务返回了无法识别的内容，请稍后重试。",
    ca_rejected: "CA 服务拒绝了此次请求。",
    session_expired: "登录已过期，请重新登录后继续。",
    not_found: "未找到对应的记录。",
    conflict: "与当前状态冲突，请刷新后重试。",
    storage: "本地数据读写失败，请检查磁盘空间与权限。",
    keychain: "无法访问系统钥匙串，请解锁后重试。",
    token_absent: "未检测到 USBKey，请插入后重试。",
    token_module: "USBKey 驱动加载失败，请重新安装驱动。",
    pin_incorrect: "PIN 码错误。",
    pin_locked: "PIN 码已锁定，请联系 CA 受理点解锁。",
    unsupported: "当前设备或系统不支持此操作。",
  } satisfies Record<ErrorCode, string>,
};

export type Catalog = typeof zhCN;
export default zhCN;
