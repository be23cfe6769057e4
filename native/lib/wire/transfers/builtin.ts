/** The transfer kinds this module ships; importing it registers them (the server imports it). */
import './status.js';
import './full-backup.js';
import './diff.js';
import './hash-index.js';
import './restore.js';
