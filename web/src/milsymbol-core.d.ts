/** The ES core of milsymbol (aliased in vite.config.ts to node_modules/milsymbol/index.mjs). */
declare module "milsymbol-core" {
  import type msDefault from "milsymbol";
  export const ms: typeof msDefault & { addIcons(icons: unknown): void };
  export const letterair: unknown;
  export const letterground: unknown;
  export const letterequipment: unknown;
}
