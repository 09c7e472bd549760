import type { BrowserContext } from "playwright-core";

/** Where Debian's chromium package installs the browser (`CHROMIUM_PATH` overrides). */
export declare const CHROMIUM_PATH: string;
/** The launch flags (see src/index.js). */
export declare const CHROMIUM_ARGS: readonly string[];
/** `hasChromium()` is true when the browser binary exists. */
export declare function hasChromium(): boolean;
/** `browserTestsRun()` is true when the browser tests run: Chromium exists, or under CI (`CI` set), where its absence fails them. */
export declare function browserTestsRun(): boolean;

export interface LaunchOptions {
  readonly viewport?: { readonly width: number; readonly height: number };
  /** Flags added to CHROMIUM_ARGS. */
  readonly args?: readonly string[];
  readonly acceptDownloads?: boolean;
}

export interface LaunchedChromium {
  readonly context: BrowserContext;
  /** The profile folder (deleted by `close`). */
  readonly profile: string;
  /** Ends the browser and deletes the profile. */
  close(): Promise<void>;
}

/** `launchChromium(options)` starts Chromium with a fresh profile. */
export declare function launchChromium(options?: LaunchOptions): Promise<LaunchedChromium>;
