/** Preload (sandboxed, context-isolated): exposes exactly the contract as `window.mlshield`. */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { buildBridge } from './bridge.js';

contextBridge.exposeInMainWorld('mlshield', buildBridge(ipcRenderer, webUtils));
