package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/google/uuid"

	"phonoglyph/app"
	"phonoglyph/auth"
	"phonoglyph/config"
	"phonoglyph/migrations"
)

// migrate applies every pending migration, then exits.
func migrate(ctx context.Context) error {
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	log := app.NewLogger(cfg.DebugLogging)
	cfg.AutoMigrate = false // applied explicitly below, with the result reported
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := migrations.Up(ctx, a.Pool, log); err != nil {
		return err
	}
	log.Info("database is up to date")
	return nil
}

// token prints an access token for a user, for development and operations.
func token(args []string) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	sub := fs.String("sub", "", "user id (UUID) the token is for")
	ttl := fs.Duration("ttl", 24*time.Hour, "token lifetime")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if uuid.Validate(*sub) != nil {
		return errors.New("token: -sub must be a UUID")
	}
	if *ttl <= 0 {
		return errors.New("token: -ttl must be positive")
	}
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	issuer := ""
	if cfg.SupabaseURL != "" {
		issuer = cfg.SupabaseURL + "/auth/v1"
	}
	t, err := auth.Mint([]byte(cfg.JWTSecret), issuer, *sub, *ttl)
	if err != nil {
		return err
	}
	fmt.Println(t)
	return nil
}
