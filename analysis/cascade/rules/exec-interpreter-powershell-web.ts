/**
 * PowerShell's web cmdlets as rules read them (MITRE T1105 / T1048 / T1567): `Invoke-WebRequest`
 * and `Invoke-RestMethod` under their names and aliases (`iwr`, `irm`; Windows PowerShell 5.1 also
 * `curl` and `wget`), their parameter names written out in full as PowerShell binds them
 * (about_Parameters: case-insensitive, any unambiguous prefix, an exact name first, `-Name:value`,
 * an en or em dash for the `-`): `-infi` → `-InFile`, `-Me:Put` → `-Method Put`, `–InFile` →
 * `-InFile`; an ambiguous prefix (`-inf`: InFile or InformationAction) is kept as written, as
 * PowerShell refuses it. So a rule written for `Invoke-WebRequest … -InFile` sees every spelling.
 *
 * `curl` and `wget` in PowerShell text are read as the programs: PowerShell 6 and later (pwsh,
 * what a Linux pod runs) removed those aliases. Windows PowerShell 5.1 still has them as aliases
 * of Invoke-WebRequest, so a `curl` / `wget` statement with the cmdlet's own parameters
 * (`curl -Uri … -InFile …`: words no curl or wget reads that way) is also read as
 * Invoke-WebRequest, a second reading beside the program's (rules fire on any reading).
 */

/** Invoke-WebRequest / Invoke-RestMethod parameters (PowerShell 7.4 and 5.1 references) and the common parameters, lower case. */
const PARAMS = [
  'AllowInsecureRedirect', 'AllowUnencryptedAuthentication', 'Authentication', 'Body', 'Certificate', 'CertificateThumbprint',
  'ConnectionTimeoutSeconds', 'ContentType', 'Credential', 'CustomMethod', 'DisableKeepAlive', 'Form', 'Headers', 'HttpVersion',
  'InFile', 'MaximumRedirection', 'MaximumRetryCount', 'Method', 'NoProxy', 'OperationTimeoutSeconds', 'OutFile', 'PassThru',
  'PreserveAuthorizationOnRedirect', 'PreserveHttpMethodOnRedirect', 'Proxy', 'ProxyCredential', 'ProxyUseDefaultCredentials',
  'Resume', 'RetryIntervalSec', 'SessionVariable', 'SkipCertificateCheck', 'SkipHeaderValidation', 'SkipHttpErrorCheck',
  'SslProtocol', 'TimeoutSec', 'Token', 'TransferEncoding', 'UnixSocket', 'Uri', 'UseBasicParsing', 'UseDefaultCredentials',
  'UserAgent', 'WebSession', 'FollowRelLink', 'MaximumFollowRelLink', 'ResponseHeadersVariable', 'StatusCodeVariable',
  'Verbose', 'Debug', 'ErrorAction', 'WarningAction', 'InformationAction', 'ErrorVariable', 'WarningVariable',
  'InformationVariable', 'OutVariable', 'OutBuffer', 'PipelineVariable', 'ProgressAction',
];
const LOWER = PARAMS.map((p) => p.toLowerCase());
/** Parameter aliases, matched whole. */
const ALIASES = new Map([['sv', 'SessionVariable'], ['ea', 'ErrorAction'], ['wa', 'WarningAction'], ['infa', 'InformationAction'], ['ev', 'ErrorVariable'], ['wv', 'WarningVariable'], ['iv', 'InformationVariable'], ['ov', 'OutVariable'], ['ob', 'OutBuffer'], ['pv', 'PipelineVariable'], ['vb', 'Verbose'], ['db', 'Debug'], ['proga', 'ProgressAction']]);
/** Parameters that make a `curl` / `wget` statement the cmdlet's (no curl or wget option is spelled so). */
const CMDLET_ONLY = new Set(['Uri', 'InFile', 'OutFile', 'Method', 'Body', 'UseBasicParsing', 'Headers', 'ContentType', 'Form', 'CustomMethod', 'UseDefaultCredentials', 'WebSession', 'SessionVariable']);
const CMDLETS = new Map([['invoke-webrequest', 'Invoke-WebRequest'], ['iwr', 'Invoke-WebRequest'], ['invoke-restmethod', 'Invoke-RestMethod'], ['irm', 'Invoke-RestMethod']]);
/** Dashes PowerShell reads as `-` before a parameter name (about_Parsing). */
const DASHES = '-\u2013\u2014\u2015';

/** The web cmdlet a command name runs (`iwr`, `Invoke-RestMethod`…), or null. */
export function webCmdlet(name: string): string | null {
  return CMDLETS.get(name.toLowerCase()) ?? null;
}

/** The full name of the parameter a word binds (`-infi`, `–InFile`, `-Method:Put`), or null for no parameter / an ambiguous one. */
function paramOf(w: string): string | null {
  if (w.length < 2 || DASHES.indexOf(w.charAt(0)) < 0) return null;
  const colon = w.indexOf(':');
  const name = (colon > 0 ? w.slice(1, colon) : w.slice(1)).toLowerCase();
  if (!/^[a-z]+$/.test(name)) return null;
  const alias = ALIASES.get(name);
  if (alias !== undefined) return alias;
  const exact = LOWER.indexOf(name);
  if (exact >= 0) return PARAMS[exact]!;
  let found: string | null = null;
  for (let k = 0; k < LOWER.length; k++) {
    if (LOWER[k]!.startsWith(name)) {
      if (found !== null) return null;
      found = PARAMS[k]!;
    }
  }
  return found;
}

/** A web cmdlet's argument words with parameter names in full; `-Name:value` split in two. */
export function webArgs(args: readonly string[]): string[] {
  const out: string[] = [];
  for (const a of args) {
    const p = paramOf(a);
    if (p === null) {
      out.push(a);
      continue;
    }
    out.push(`-${p}`);
    const colon = a.indexOf(':');
    if (colon > 0 && colon < a.length - 1) out.push(a.slice(colon + 1));
  }
  return out;
}

/** Whether `curl` / `wget` with these arguments is Windows PowerShell's Invoke-WebRequest alias (see the header). */
export function cmdletStyle(args: readonly string[]): boolean {
  for (const a of args) {
    const p = a.length >= 4 ? paramOf(a) : null;
    if (p !== null && CMDLET_ONLY.has(p)) return true;
  }
  return false;
}
