// The recipes' Lua scripts (loaded like the patterns' own, lib/shared/scripts.ts).
import { loadScripts } from '../../lib/shared/scripts.js'

export const scripts = loadScripts<'set-tags'>('example-recipes', new URL('.', import.meta.url))
