import { lazy, Suspense, type ReactNode } from 'react';
import { createBrowserRouter, Navigate, RouterProvider, useLocation } from 'react-router-dom';
import { useLogin } from '../auth/useLogin';
import { LoginPage } from '../pages/LoginPage';
import { SignupPage } from '../pages/SignupPage';

// Everything past the login screen loads on demand; the room (Monaco, tldraw,
// Pyodide) is its own chunk that login and dashboard never download.
const DashboardPage = lazy(() => import('../pages/DashboardPage'));
const RoomPage = lazy(() => import('../features/room/RoomPage'));
const JoinPage = lazy(() => import('../pages/JoinPage'));
const ReviewPage = lazy(() => import('../pages/ReviewPage'));
const ProblemsPage = lazy(() => import('../pages/ProblemsPage'));
const ProblemEditPage = lazy(() => import('../pages/ProblemEditPage'));

function Loading() {
  return (
    <div className="page-loading" role="status">
      Loading…
    </div>
  );
}

/** Interviewer-only pages: without a login, go to the login page and come back. */
function RequireLogin({ children }: { children: ReactNode }) {
  const login = useLogin();
  const location = useLocation();
  if (!login) return <Navigate to="/login" replace state={{ from: location.pathname }} />;
  return <>{children}</>;
}

const lazyPage = (node: ReactNode) => <Suspense fallback={<Loading />}>{node}</Suspense>;

const router = createBrowserRouter([
  { path: '/', element: <Navigate to="/dashboard" replace /> },
  { path: '/login', element: <LoginPage /> },
  { path: '/signup', element: <SignupPage /> },
  { path: '/dashboard', element: <RequireLogin>{lazyPage(<DashboardPage />)}</RequireLogin> },
  { path: '/sessions/:id/room', element: <RequireLogin>{lazyPage(<RoomPage />)}</RequireLogin> },
  { path: '/problems', element: <RequireLogin>{lazyPage(<ProblemsPage />)}</RequireLogin> },
  { path: '/problems/new', element: <RequireLogin>{lazyPage(<ProblemEditPage />)}</RequireLogin> },
  { path: '/problems/:id', element: <RequireLogin>{lazyPage(<ProblemEditPage />)}</RequireLogin> },
  { path: '/sessions/:id/review', element: <RequireLogin>{lazyPage(<ReviewPage />)}</RequireLogin> },
  // The invite link the server hands out; the candidate's room lives under it too.
  { path: '/join/:token', element: lazyPage(<JoinPage />) },
  { path: '/join/:token/room', element: lazyPage(<RoomPage />) },
  { path: '*', element: <NotFound /> },
]);

function NotFound() {
  return (
    <main className="centered">
      <div className="card narrow">
        <h1>Page not found</h1>
        <p className="muted">There is nothing at this address.</p>
        <a href="/dashboard">Go to the dashboard</a>
      </div>
    </main>
  );
}

export function App() {
  return <RouterProvider router={router} />;
}
