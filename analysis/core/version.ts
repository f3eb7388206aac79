/** The tool version written into case files, reports and attestations. Kept equal to package.json (tested). */
export const TOOL_NAME = 'mlshield';
export const TOOL_VERSION = '0.1.0';
