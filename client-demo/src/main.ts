/** The demo's entry point: the app on the page, talking to the lobby that served it. */
import { LobbyClient } from '../../shared/client/index.ts';
import { App } from './app.ts';
import { installDebugHandle } from './debug-handle.ts';

const root = document.getElementById('app');
if (!root) throw new Error('index.html has no #app element');
const app = new App(root, new LobbyClient({ baseUrl: location.origin }));
installDebugHandle(app);
app.start();
