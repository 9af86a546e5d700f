// The JSON API of docs/api.md: the session cookie is HttpOnly, the CSRF
// token (from sign-in or /me) goes with every state-changing request.
export interface User {
  name: string;
  role: "admin" | "clinician" | "researcher" | "patient";
  sites: string;
}

export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
    public field?: string,
  ) {
    super(message);
  }
}

let csrf = "";
export let me: User | null = null;

export function setSession(user: User | null, token: string): void {
  me = user;
  csrf = token;
}

export async function api<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && csrf) headers["X-CSRF-Token"] = csrf;
  const res = await fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let data: any = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const e = data?.error ?? {};
    throw new ApiError(res.status, e.code ?? "http_" + res.status, e.message ?? res.statusText, e.field);
  }
  return data as T;
}

export const get = <T = any>(path: string) => api<T>("GET", path);

export function qs(args: Record<string, string | number | undefined | null>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(args)) if (v !== undefined && v !== null && v !== "") p.append(k, String(v));
  const t = p.toString();
  return t ? "?" + t : "";
}
