import { Link, Navigate, useNavigate } from 'react-router-dom';
import { api } from '../api';
import { saveLogin } from '../auth/tokens';
import { useLogin } from '../auth/useLogin';
import { AuthForm } from './AuthForm';

export function SignupPage() {
  const login = useLogin();
  const navigate = useNavigate();
  if (login) return <Navigate to="/dashboard" replace />;
  return (
    <AuthForm
      title="Create your interviewer account"
      submitLabel="Sign up"
      fields={[
        { name: 'name', label: 'Name', type: 'text', autoComplete: 'name', maxLength: 100 },
        { name: 'email', label: 'E-mail', type: 'email', autoComplete: 'username' },
        {
          name: 'password',
          label: 'Password (at least 8 characters)',
          type: 'password',
          autoComplete: 'new-password',
          minLength: 8,
        },
      ]}
      footer={
        <>
          Already have an account? <Link to="/login">Log in</Link>
        </>
      }
      onSubmit={async ({ name, email, password }) => {
        const r = await api.signup(email, password, name);
        saveLogin({ token: r.token, expiresAt: r.expiresAt, name: r.user.name, email: r.user.email });
        navigate('/dashboard', { replace: true });
      }}
    />
  );
}
