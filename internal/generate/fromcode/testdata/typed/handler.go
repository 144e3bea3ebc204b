package app

import "context"

// RoleARN reads a role's ARN through the client field.
func (h *Handler) RoleARN(ctx context.Context, name string) (string, error) {
	out, err := h.iam.GetRole(ctx, roleInput(name))
	if err != nil {
		return "", err
	}
	return *out.Role.Arn, nil
}

// Account says which account the credentials belong to, through the
// interface.
func (h *Handler) Account(ctx context.Context) (string, error) {
	out, err := h.who.GetCallerIdentity(ctx, nil)
	if err != nil {
		return "", err
	}
	return *out.Account, nil
}

// CheckRole goes through an interface the SDK client does not implement.
func (h *Handler) CheckRole(ctx context.Context, name string) error {
	_, err := h.roles.GetRole(ctx, roleInput(name))
	return err
}
