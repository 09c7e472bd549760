/** What the Bench panel says about the device: platform, cores, browser, GL renderer, isolation. */

interface UserAgentData {
  readonly brands?: readonly { readonly brand: string; readonly version: string }[];
  readonly platform?: string;
}

/** `browserName()` is the browser and its major version, from the user agent. */
export function browserName(): string {
  const data = (navigator as Navigator & { userAgentData?: UserAgentData }).userAgentData;
  const brand = data?.brands?.find((b) => !/Not.?A.?Brand/i.test(b.brand) && b.brand !== "Chromium") ?? data?.brands?.find((b) => b.brand === "Chromium");
  if (brand !== undefined) return `${brand.brand} ${brand.version}`;
  const ua = navigator.userAgent;
  for (const [name, re] of [["Firefox", /Firefox\/(\d+)/], ["Edge", /Edg\/(\d+)/], ["Chrome", /Chrome\/(\d+)/], ["Safari", /Version\/(\d+).*Safari/]] as const) {
    const m = re.exec(ua);
    if (m) return `${name} ${m[1] as string}`;
  }
  return ua;
}

/** `glRenderer()` is the WebGL renderer string (the unmasked one where the browser gives it), or why there is none. */
export function glRenderer(): string {
  const canvas = document.createElement("canvas");
  const gl = (canvas.getContext("webgl2") ?? canvas.getContext("webgl")) as WebGLRenderingContext | null;
  if (gl === null) return "no WebGL on this device";
  const ext = gl.getExtension("WEBGL_debug_renderer_info");
  const renderer = String(gl.getParameter(ext === null ? gl.RENDERER : ext.UNMASKED_RENDERER_WEBGL));
  gl.getExtension("WEBGL_lose_context")?.loseContext();
  return renderer;
}

/** `deviceFacts()` is the device description as label/value pairs. */
export function deviceFacts(): [string, string][] {
  const data = (navigator as Navigator & { userAgentData?: UserAgentData }).userAgentData;
  const memory = (navigator as Navigator & { deviceMemory?: number }).deviceMemory;
  return [
    ["device", `${data?.platform ?? navigator.platform} · ${navigator.hardwareConcurrency} logical cores${memory === undefined ? "" : ` · ≥${memory} GB memory`}`],
    ["browser", browserName()],
    ["GL renderer", glRenderer()],
    ["isolation", crossOriginIsolated ? "cross-origin isolated (SharedArrayBuffer available)" : "not cross-origin isolated (no SharedArrayBuffer)"],
  ];
}
