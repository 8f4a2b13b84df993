import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { applyTheme, readTheme } from './theme.js';
import './styles.css';

// Before the first paint: a remembered dark choice shows no flash of the light theme.
applyTheme(readTheme());
createRoot(document.getElementById('root')!).render(<App />);
