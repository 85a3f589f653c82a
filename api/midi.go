package api

import (
	"net/http"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"phonoglyph"
)

// listMIDI answers the caller's MIDI files with their parsing status.
func (s *Server) listMIDI(c echo.Context) error {
	limit, err := intParam(c, "limit", 50, 1, 100)
	if err != nil {
		return err
	}
	offset, err := intParam(c, "offset", 0, 0, 1_000_000)
	if err != nil {
		return err
	}
	files, err := s.opt.Store.MIDIFiles(c.Request().Context(), userID(c), limit, offset)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, MIDIList{MIDIFiles: orEmpty(files)})
}

// midiFile resolves :file_id to the caller's MIDI row.
func (s *Server) midiFile(c echo.Context) (*phonoglyph.MIDIFile, error) {
	id, err := uuid.Parse(c.Param("file_id"))
	if err != nil {
		return nil, phonoglyph.Errorf(phonoglyph.ENOTFOUND, "MIDI file not found.")
	}
	return s.opt.Store.MIDIFile(c.Request().Context(), userID(c), id.String())
}

// getMIDI answers the parsed data (once parsed) and the caller's settings.
func (s *Server) getMIDI(c echo.Context) error {
	return s.answerMIDI(c, true)
}

func (s *Server) getMIDISettings(c echo.Context) error {
	return s.answerMIDI(c, false)
}

// answerMIDI answers the caller's settings for :file_id, with the MIDI row
// when withFile.
func (s *Server) answerMIDI(c echo.Context, withFile bool) error {
	m, err := s.midiFile(c)
	if err != nil {
		return err
	}
	settings, err := s.opt.Store.VisualizationSettings(c.Request().Context(), userID(c), m.ID)
	if err != nil {
		return err
	}
	body := MIDIBody{Settings: settings}
	if withFile {
		body.MIDIFile = m
	}
	return c.JSON(http.StatusOK, body)
}

// putMIDISettings replaces the caller's settings; fields left out keep the
// defaults.
func (s *Server) putMIDISettings(c echo.Context) error {
	m, err := s.midiFile(c)
	if err != nil {
		return err
	}
	v := phonoglyph.DefaultVisualizationSettings()
	if err := decodeJSON(c, &v); err != nil {
		return err
	}
	switch {
	case v.ColorScheme != "sage" && v.ColorScheme != "slate" && v.ColorScheme != "dusty-rose" && v.ColorScheme != "mixed":
		return phonoglyph.Errorf(phonoglyph.EINVALID, "color_scheme: must be sage, slate, dusty-rose or mixed.")
	case v.PixelsPerSecond < 10 || v.PixelsPerSecond > 200:
		return phonoglyph.Errorf(phonoglyph.EINVALID, "pixels_per_second: must be 10..200.")
	case v.MinKey < 0 || v.MinKey > 127:
		return phonoglyph.Errorf(phonoglyph.EINVALID, "min_key: must be 0..127.")
	case v.MaxKey < 0 || v.MaxKey > 127:
		return phonoglyph.Errorf(phonoglyph.EINVALID, "max_key: must be 0..127.")
	case v.MinKey > v.MaxKey:
		return phonoglyph.Errorf(phonoglyph.EINVALID, "min_key: must not exceed max_key.")
	}
	if err := s.opt.Store.PutVisualizationSettings(c.Request().Context(), userID(c), m.ID, uuid.NewString(), v); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, MIDIBody{Settings: v})
}
