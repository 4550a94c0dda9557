/** The contract a client talks to, and the names the contract uses. */

export type UintLike = bigint | number;

export interface ContractRef {
  contractAddress: string;
  contractName: string;
}

/** `ST....neural-training-market` or `{ contractAddress, contractName }` to a ContractRef. */
export function contractRef(contract: string | ContractRef): ContractRef {
  if (typeof contract !== "string") return { contractAddress: contract.contractAddress, contractName: contract.contractName };
  const dot = contract.indexOf(".");
  if (dot <= 0 || dot === contract.length - 1) throw new Error(`not a contract id: ${contract}`);
  return { contractAddress: contract.slice(0, dot), contractName: contract.slice(dot + 1) };
}

/** `<address>.<name>`, the contract's principal (the sender of every payout). */
export function contractPrincipal(contract: ContractRef): string {
  return `${contract.contractAddress}.${contract.contractName}`;
}

/** Fields of the contract's `parameters` tuple, in declaration order (`version` first). */
export const PARAMETER_NAMES = [
  "version",
  "min-dataset-stake",
  "min-validator-stake",
  "min-bid-amount",
  "max-computation-duration",
  "max-bid-wait",
  "decline-window",
  "eval-reveal-window",
  "non-delivery-slash-bps",
  "stake-lock-blocks",
  "validation-window",
  "reveal-window",
  "validator-unbonding-blocks",
  "committee-size",
  "min-reveals-bps",
  "reward-threshold",
  "slash-threshold",
  "slash-rate-bps",
  "validator-fee-bps",
  "protocol-fee-bps",
  "validator-penalty-bps",
  "consensus-tolerance",
  "voting-period",
  "execution-delay",
  "governance-quorum-bps",
  "proposal-threshold",
] as const;

/** A parameter governance can change (every field but `version`). */
export type GovernableParameter = Exclude<(typeof PARAMETER_NAMES)[number], "version">;

export const GOVERNABLE_PARAMETERS = PARAMETER_NAMES.filter((n): n is GovernableParameter => n !== "version");

/** Protocol constants the planners mirror. */
export const BPS = 10_000n;
/** Seats of the largest committee (MAX_COMMITTEE_SIZE in the contract). */
export const MAX_COMMITTEE_SIZE = 10n;

/** Queue heads matched or skipped per call (QUEUE_STEPS in the contract). */
export const QUEUE_STEPS = 5;
