//! The GPU side of the render loop: each captured screen as a texture (a DMA-BUF
//! imported once per framebuffer, or damaged rectangles uploaded from memory), drawn
//! through each view's [`Placement`] with the pointer on top, into a window or an
//! offscreen framebuffer.
//!
//! A [`Renderer`] owns a GLES 3 context on an EGL display. A context is current on
//! one thread at a time: create the renderer, and call every method, on the render
//! thread. Each call makes its context current first, so several renderers may share
//! a thread.

mod egl;
mod gbm;
mod quads;
mod scanout;
mod shader;
mod texture;

use std::path::Path;

use glow::HasContext;

pub use self::quads::quads;
use self::texture::gl_format;
use crate::drm::{modifier, Dmabuf};
use crate::format::{fourcc_name, Format};
use crate::frame::{BufferLayout, Frame};
pub use crate::present::Target;
use crate::present::{Lease, LeaseTarget, Offscreen, Way, Window, WindowTarget};
use crate::view::Placement;
use crate::{Error, Result};
use xrdisplay_model::Rect;

/// GL renderers (a part of GL_RENDERER) that advertise DMA-BUF import but draw
/// imported buffers wrongly, and why: imports are refused there, so the caller
/// falls back to uploading.
const IMPORT_BROKEN: &[(&str, &str)] = &[(
    "llvmpipe",
    "Mesa's llvmpipe draws imported buffers wrongly or crashes (seen with Mesa 22.3 \
     on virtio-gpu through kms_swrast); GALLIUM_DRIVER=softpipe imports correctly",
)];

/// Where one view is drawn, in target pixels (origin top-left, y down). Its size must
/// be its placement's `view_size`; side-by-side stereo is two viewports.
pub type Viewport = Rect;

/// The pointer as XFixes reports it.
#[derive(Debug, Clone, Copy)]
pub struct Cursor<'a> {
    /// XFixes' cursor serial: the image is uploaded again only when it changes.
    pub serial: u32,
    pub width: u32,
    pub height: u32,
    /// The hotspot within the image.
    pub hotspot: (u32, u32),
    /// Where the hotspot is, in the captured screen's pixels (negative or past the
    /// size: elsewhere, so nothing is drawn).
    pub position: (i32, i32),
    /// `width * height` premultiplied ARGB words, as GetCursorImage returns them.
    pub pixels: &'a [u32],
}

/// Identifies a framebuffer import; a different one needs a new EGLImage. The inode
/// of the first plane's DMA-BUF tells a framebuffer re-created under a reused id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ImportKey {
    fb_id: u32,
    size: (u32, u32),
    fourcc: u32,
    modifier: Option<u64>,
    inode: u64,
}

/// One quad of a frame: captured screen `screen` drawn through `placement` into
/// `viewport`. Several screens (XR outputs side by side) are several quads per view.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quad {
    /// Which screen's picture: the index given to `upload` or `set_source_dmabuf`.
    pub screen: usize,
    pub placement: Placement,
    pub viewport: Viewport,
    /// Where the screen's top-left corner is in the coordinates of the cursor's
    /// position, so that the pointer shows on whichever screen it is over.
    pub origin: (i32, i32),
}

/// Screen 0 at the cursor's origin: the one-screen case.
impl From<(Placement, Viewport)> for Quad {
    fn from((placement, viewport): (Placement, Viewport)) -> Quad {
        Quad {
            screen: 0,
            placement,
            viewport,
            origin: (0, 0),
        }
    }
}

/// What a screen texture holds.
enum Source {
    Uploaded(texture::Uploaded),
    Imported {
        key: ImportKey,
        image: khronos_egl::Image,
        texture: glow::Texture,
    },
}

struct CursorTexture {
    texture: glow::Texture,
    serial: u32,
    size: (u32, u32),
}

/// Where frames are drawn, live: the framebuffer, the window (dropping it destroys
/// the window) or the leased output's scanout buffers.
type Output = Way<Offscreen, Box<Window>, scanout::Scanout>;

/// Draws the captured screen for the glasses. See the module documentation.
pub struct Renderer {
    gl: glow::Context,
    program: shader::Program,
    /// Each screen's texture and the screen's rectangle within it, by index.
    screens: Vec<Option<(Source, Rect)>>,
    cursor: Option<CursorTexture>,
    /// The cursor image's rectangle in screen pixels, while it is shown.
    cursor_rect: Option<[f32; 4]>,
    size: (u32, u32),
    image_target_texture: Option<egl::ImageTargetTexture>,
    /// Why imports are refused on this GL renderer although EGL offers them.
    import_broken: Option<&'static str>,
    describe: String,
    // Dropped in this order: EGL (surface, context, display) before the X window and
    // connection it draws through.
    egl: egl::Egl,
    output: Output,
}

impl Renderer {
    /// Opens EGL for `target`. Headless rendering runs on `drm_device` (the DRM card
    /// whose framebuffers are to be imported) through GBM or its EGL device, else on
    /// Mesa's surfaceless platform; an X window uses the X server's GPU.
    pub fn new(target: Target, drm_device: Option<&Path>) -> Result<Renderer> {
        let size = target.size();
        if size.0 == 0 || size.1 == 0 {
            return Err(Error::geometry(format!(
                "cannot draw into {}x{} pixels",
                size.0, size.1
            )));
        }
        // Declared before `egl`: on an early return EGL goes first, while the X
        // connection it draws through is still open.
        let mut window = match &target {
            Target::Window(WindowTarget { display, .. }) => {
                Some(Window::connect(display.as_deref())?)
            }
            Target::Offscreen(_) | Target::Lease(_) => None,
        };
        let lease = match &target {
            Target::Lease(LeaseTarget {
                display,
                output,
                crtc,
                mode,
                ..
            }) => Some(Lease::take(display.as_deref(), *output, *crtc, *mode)?),
            _ => None,
        };
        if let Some(lease) = lease.as_ref().filter(|l| l.size() != size) {
            return Err(Error::geometry(format!(
                "the leased mode is {}x{}, not {}x{}",
                lease.size().0,
                lease.size().1,
                size.0,
                size.1
            )));
        }
        let native = match &window {
            Some(window) => {
                let (connection, screen) = window.native();
                egl::Native::Xcb(connection, screen)
            }
            None => egl::Native::Headless,
        };
        let mut egl = egl::Egl::open(native, drm_device)?;
        match (&mut window, &target) {
            (Some(window), Target::Window(WindowTarget { rect, .. })) => {
                let id = window.create(egl.native_visual(), *rect)?;
                egl.attach_window(id)?;
            }
            _ => egl.make_current()?,
        }
        // SAFETY: the context is current; glow loads the functions it offers.
        let gl = unsafe { glow::Context::from_loader_function(|name| egl.gl_proc(name)) };
        // On an error below, destroying the context frees what was made in it.
        let program = shader::Program::new(&gl)?;
        let image_target_texture = gl
            .supported_extensions()
            .contains("GL_OES_EGL_image")
            .then(|| egl.image_target_texture())
            .flatten();
        let output = match (window, lease) {
            (Some(window), _) => Output::Window(Box::new(window)),
            (None, Some(lease)) => Output::Lease(scanout::Scanout::new(
                &gl,
                &mut egl,
                image_target_texture,
                lease,
            )?),
            (None, None) => Output::Offscreen(Offscreen::new(&gl, size)?),
        };
        // SAFETY: state setting on the current context.
        unsafe {
            // Rows of any width, e.g. odd-width RGB565, are packed without padding.
            gl.pixel_store_i32(glow::UNPACK_ALIGNMENT, 1);
            gl.pixel_store_i32(glow::PACK_ALIGNMENT, 1);
        }
        // SAFETY: string queries on the current context.
        let (renderer, version) = unsafe {
            (
                gl.get_parameter_string(glow::RENDERER),
                gl.get_parameter_string(glow::VERSION),
            )
        };
        let mut this = Renderer {
            gl,
            program,
            screens: Vec::new(),
            cursor: None,
            cursor_rect: None,
            size,
            image_target_texture,
            import_broken: IMPORT_BROKEN
                .iter()
                .find(|(name, _)| renderer.contains(name))
                .map(|(_, why)| *why),
            describe: String::new(),
            egl,
            output,
        };
        let import = match this.can_import_dmabuf(crate::format::XRGB8888.fourcc, None) {
            Ok(()) => "DMA-BUF import works (XRGB8888)".to_string(),
            Err(why) => format!("no DMA-BUF import: {why}"),
        };
        this.describe = format!(
            "EGL on {}; GL: {renderer} ({version}); {import}",
            this.egl.platform
        );
        Ok(this)
    }

    /// The EGL platform and device, the GL renderer, and whether DMA-BUF import works
    /// (and why not), for the log and `status`.
    pub fn describe(&self) -> String {
        self.describe.clone()
    }

    /// The size of the target in pixels.
    pub fn size(&self) -> (u32, u32) {
        self.size
    }

    /// Whether a framebuffer of `fourcc` with `modifier` imports here, or why not.
    pub fn can_import_dmabuf(
        &self,
        fourcc: u32,
        modifier: Option<u64>,
    ) -> std::result::Result<(), String> {
        if self.image_target_texture.is_none() {
            return Err("the GL driver lacks GL_OES_EGL_image".into());
        }
        if let Some(why) = self.import_broken {
            return Err(why.into());
        }
        self.egl.check_dmabuf(fourcc, modifier)
    }

    /// Shows `rect` of an exported framebuffer as screen `screen`. The EGLImage is
    /// made once per framebuffer (id, size, format, modifier, buffer) and reused while
    /// the same one comes back; the GPU then reads the framebuffer directly every frame.
    pub fn set_source_dmabuf(&mut self, screen: usize, buf: &Dmabuf, rect: Rect) -> Result<()> {
        self.egl.make_current()?;
        let inside = rect.fits((buf.width, buf.height));
        if !inside {
            return Err(Error::geometry(format!(
                "rectangle {}x{}+{}+{} does not fit framebuffer {} ({}x{})",
                rect.width, rect.height, rect.x, rect.y, buf.fb_id, buf.width, buf.height
            )));
        }
        let inode = match buf.planes.first() {
            Some(plane) => nix::sys::stat::fstat(std::os::fd::AsRawFd::as_raw_fd(&plane.fd))
                .map(|st| st.st_ino)
                .map_err(|e| {
                    Error::io(format!(
                        "cannot stat framebuffer {}'s DMA-BUF: {e}",
                        buf.fb_id
                    ))
                    .because(e)
                })?,
            None => 0,
        };
        let key = ImportKey {
            fb_id: buf.fb_id,
            size: (buf.width, buf.height),
            fourcc: buf.fourcc,
            modifier: buf.modifier,
            inode,
        };
        if let Some((Source::Imported { key: k, .. }, at)) = self.screen_mut(screen) {
            if *k == key {
                *at = rect;
                return Ok(());
            }
        }
        let describe = || {
            format!(
                "framebuffer {} ({}x{} {}, {})",
                buf.fb_id,
                buf.width,
                buf.height,
                fourcc_name(buf.fourcc),
                buf.modifier
                    .map_or("no modifier".to_string(), modifier::name)
            )
        };
        self.can_import_dmabuf(buf.fourcc, buf.modifier)
            .map_err(|why| Error::unsupported(format!("cannot import {}: {why}", describe())))?;
        let Some(target_texture) = self.image_target_texture else {
            return Err(Error::unsupported("the GL driver lacks GL_OES_EGL_image"));
        };
        self.drop_source(screen);
        let image = self.egl.import(buf)?;
        let texture =
            match texture::new_texture(&self.gl, [glow::RED, glow::GREEN, glow::BLUE, glow::ALPHA])
            {
                Ok(t) => t,
                Err(e) => {
                    self.egl.destroy_image(image);
                    return Err(e);
                }
            };
        // SAFETY: `texture` is bound to TEXTURE_2D; `image` is a live EGLImage.
        let error = unsafe {
            target_texture(glow::TEXTURE_2D, image.as_ptr());
            self.gl.get_error()
        };
        if error != glow::NO_ERROR {
            // SAFETY: deleting the texture made above.
            unsafe { self.gl.delete_texture(texture) };
            self.egl.destroy_image(image);
            return Err(Error::unsupported(format!(
                "binding {} to a texture failed (GL error {error:#x})",
                describe()
            )));
        }
        self.set_screen(
            screen,
            Source::Imported {
                key,
                image,
                texture,
            },
            rect,
        );
        Ok(())
    }

    /// Uploads screen `screen` from memory: `pixels` laid out as `layout` is the whole
    /// screen (a sub-rectangle of a larger buffer works too: start `pixels` at its
    /// first pixel and keep the buffer's stride). Only the `damage` rectangles are
    /// copied, through a pixel buffer object; everything when `damage` is empty or
    /// the size or format changed.
    pub fn upload(
        &mut self,
        screen: usize,
        pixels: &[u8],
        layout: BufferLayout,
        damage: &[Rect],
    ) -> Result<()> {
        self.egl.make_current()?;
        texture::check_layout(pixels, layout)?;
        let size = (layout.width, layout.height);
        let whole = Rect {
            x: 0,
            y: 0,
            width: size.0,
            height: size.1,
        };
        let reuse = matches!(self.screen_mut(screen), Some((Source::Uploaded(u), _)) if u.size == size && u.format == layout.format);
        let damage = if reuse { damage } else { &[] };
        if !reuse {
            self.drop_source(screen);
            let uploaded = texture::Uploaded::new(&self.gl, size, layout.format)?;
            self.set_screen(screen, Source::Uploaded(uploaded), whole);
        }
        let rects = texture::clip_damage(damage, size);
        if let Some((Source::Uploaded(u), _)) = self.screens.get(screen).and_then(Option::as_ref) {
            u.upload(&self.gl, pixels, layout, &rects)?;
        }
        self.check_gl("uploading the screen")
    }

    /// Forgets screen `screen`'s picture: its quads draw nothing until it gets one
    /// again (an output that went away).
    pub fn forget(&mut self, screen: usize) {
        let held = self.screens.get(screen).is_some_and(Option::is_some);
        if held && self.egl.make_current().is_ok() {
            self.drop_source(screen);
        }
    }

    /// Shows the pointer (drawn over the screen, through the same placement) or hides
    /// it. On an error the pointer stays hidden until a later call succeeds.
    pub fn set_cursor(&mut self, cursor: Option<Cursor<'_>>) -> Result<()> {
        self.cursor_rect = None;
        let Some(c) = cursor.filter(|c| c.width > 0 && c.height > 0) else {
            return Ok(());
        };
        if c.pixels.len() < c.width as usize * c.height as usize {
            return Err(Error::geometry(format!(
                "a {}x{} cursor image needs {} pixels, not {}",
                c.width,
                c.height,
                c.width as usize * c.height as usize,
                c.pixels.len()
            )));
        }
        let fresh = self
            .cursor
            .as_ref()
            .is_some_and(|t| t.serial == c.serial && t.size == (c.width, c.height));
        if !fresh {
            self.upload_cursor(&c)?;
        }
        self.cursor_rect = Some([
            c.position.0 as f32 - c.hotspot.0 as f32,
            c.position.1 as f32 - c.hotspot.1 as f32,
            c.width as f32,
            c.height as f32,
        ]);
        Ok(())
    }

    fn upload_cursor(&mut self, c: &Cursor<'_>) -> Result<()> {
        self.egl.make_current()?;
        let argb = Format::from_fourcc(u32::from_le_bytes(*b"AR24"))
            .ok_or_else(|| Error::unsupported("ARGB8888 is missing from the format table"))?;
        let f = gl_format(argb);
        let texture = match &self.cursor {
            Some(t) if t.size == (c.width, c.height) => t.texture,
            _ => {
                self.drop_cursor();
                texture::new_texture(&self.gl, f.swizzle)?
            }
        };
        let bytes: Vec<u8> = c.pixels[..c.width as usize * c.height as usize]
            .iter()
            .flat_map(|p| p.to_le_bytes())
            .collect();
        // SAFETY: `texture` is ours and bound; `bytes` holds width * height pixels.
        unsafe {
            self.gl.bind_texture(glow::TEXTURE_2D, Some(texture));
            self.gl.tex_image_2d(
                glow::TEXTURE_2D,
                0,
                f.internal as i32,
                c.width as i32,
                c.height as i32,
                0,
                f.format,
                f.ty,
                glow::PixelUnpackData::Slice(Some(&bytes)),
            );
        }
        self.cursor = Some(CursorTexture {
            texture,
            serial: c.serial,
            size: (c.width, c.height),
        });
        let checked = self.check_gl("uploading the cursor image");
        if checked.is_err() {
            // Uploaded again on the next call rather than shown half-made.
            self.drop_cursor();
        }
        checked
    }

    /// Clears the target to black and draws each quad: its screen through its
    /// placement into its viewport (side-by-side stereo: two viewports; several
    /// screens: one quad per screen and viewport). A screen with no picture yet is
    /// left out.
    pub fn draw<Q: Copy + Into<Quad>>(&mut self, quads: &[Q]) -> Result<()> {
        self.egl.make_current()?;
        let quads: Vec<Quad> = quads.iter().map(|&q| q.into()).collect();
        for Quad {
            placement,
            viewport,
            ..
        } in &quads
        {
            if !viewport.fits(self.size) || placement.view_size != (viewport.width, viewport.height)
            {
                return Err(Error::geometry(format!(
                    "a {}x{} view cannot be drawn into viewport {}x{}+{}+{} of a {}x{} target",
                    placement.view_size.0,
                    placement.view_size.1,
                    viewport.width,
                    viewport.height,
                    viewport.x,
                    viewport.y,
                    self.size.0,
                    self.size.1
                )));
            }
        }
        let gl = &self.gl;
        let framebuffer = self.target_framebuffer();
        let top_first = self.top_first();
        // SAFETY: GL calls on the current context with objects this renderer owns.
        unsafe {
            gl.bind_framebuffer(glow::FRAMEBUFFER, framebuffer);
            gl.viewport(0, 0, self.size.0 as i32, self.size.1 as i32);
            gl.clear_color(0.0, 0.0, 0.0, 1.0);
            gl.clear(glow::COLOR_BUFFER_BIT);
            gl.use_program(Some(self.program.program));
            gl.active_texture(glow::TEXTURE0 + shader::CURSOR_UNIT);
            gl.bind_texture(glow::TEXTURE_2D, self.cursor.as_ref().map(|c| c.texture));
            for quad in &quads {
                let Some((source, rect)) = self.screens.get(quad.screen).and_then(Option::as_ref)
                else {
                    continue;
                };
                let texture = match source {
                    Source::Uploaded(u) => u.texture,
                    Source::Imported { texture, .. } => *texture,
                };
                gl.active_texture(glow::TEXTURE0 + shader::SCREEN_UNIT);
                gl.bind_texture(glow::TEXTURE_2D, Some(texture));
                self.program.set_source(gl, *rect);
                let cursor = self.cursor_rect.filter(|_| self.cursor.is_some());
                self.program.set_cursor(
                    gl,
                    cursor.map(|[x, y, w, h]| {
                        [x - quad.origin.0 as f32, y - quad.origin.1 as f32, w, h]
                    }),
                );
                let v = quad.viewport;
                // GL counts viewport rows from the first row of the target: the bottom,
                // except in scanout buffers.
                let first = if top_first {
                    v.y
                } else {
                    Rect::sized(self.size.0, self.size.1).bottom() - v.bottom()
                };
                gl.viewport(v.x, first, v.width as i32, v.height as i32);
                self.program.set_view(
                    gl,
                    self.size.1,
                    top_first,
                    v.origin().unwrap_or_default(),
                    &quad.placement,
                );
                gl.draw_arrays(glow::TRIANGLES, 0, 3);
            }
            gl.active_texture(glow::TEXTURE0);
        }
        self.check_gl("drawing")
    }

    /// Shows what `draw` drew: swaps the window's buffers (waiting for vblank), or
    /// waits until the offscreen frame is complete.
    pub fn present(&mut self) -> Result<()> {
        self.egl.make_current()?;
        match &mut self.output {
            Output::Window(window) => {
                window.check()?;
                self.egl.swap_buffers()?;
                window.check()
            }
            Output::Offscreen(_) => {
                // SAFETY: a GL call on the current context.
                unsafe { self.gl.finish() };
                self.check_gl("finishing the frame")
            }
            Output::Lease(scanout) => {
                scanout.present(&self.gl)?;
                self.check_gl("finishing the frame")
            }
        }
    }

    /// What the last `draw` drew, as an XBGR8888 frame the size of the target. In a
    /// window, call it before `present` (a swap leaves the back buffer undefined).
    pub fn read_back(&mut self) -> Result<Frame> {
        self.egl.make_current()?;
        let format = Format::from_fourcc(u32::from_le_bytes(*b"XB24"))
            .ok_or_else(|| Error::unsupported("XBGR8888 is missing from the format table"))?;
        let (w, h) = (self.size.0 as usize, self.size.1 as usize);
        let mut rgba = vec![0u8; w * h * 4];
        let framebuffer = self.target_framebuffer();
        // SAFETY: `rgba` holds the whole target as RGBA bytes (PACK_ALIGNMENT is 1).
        unsafe {
            self.gl.bind_framebuffer(glow::FRAMEBUFFER, framebuffer);
            self.gl.read_pixels(
                0,
                0,
                w as i32,
                h as i32,
                glow::RGBA,
                glow::UNSIGNED_BYTE,
                glow::PixelPackData::Slice(Some(&mut rgba)),
            );
        }
        self.check_gl("reading the frame back")?;
        // GL returns the target's first row first: the bottom, except in scanout buffers.
        let data = if self.top_first() {
            rgba
        } else {
            rgba.chunks_exact(w * 4).rev().flatten().copied().collect()
        };
        Ok(Frame {
            width: self.size.0,
            height: self.size.1,
            format,
            data,
        })
    }

    /// Whether the target's first row is its top: scanout buffers are read by the
    /// display engine from the top, where GL's own targets start at the bottom.
    fn top_first(&self) -> bool {
        matches!(self.output, Output::Lease(_))
    }

    /// Where frames are drawn: an offscreen or scanout framebuffer object, or the
    /// window's own (`None`).
    fn target_framebuffer(&self) -> Option<glow::Framebuffer> {
        match &self.output {
            Output::Offscreen(o) => Some(o.framebuffer),
            Output::Lease(s) => s.framebuffer(),
            Output::Window(_) => None,
        }
    }

    fn check_gl(&self, what: &str) -> Result<()> {
        // SAFETY: a GL call on the current context.
        match unsafe { self.gl.get_error() } {
            glow::NO_ERROR => Ok(()),
            glow::CONTEXT_LOST => Err(Error::vanished(format!(
                "the GPU context was lost while {what}"
            ))),
            glow::OUT_OF_MEMORY => Err(Error::unsupported(format!(
                "the GPU ran out of memory while {what}"
            ))),
            e => Err(Error::unsupported(format!(
                "OpenGL error {e:#x} while {what}"
            ))),
        }
    }

    fn screen_mut(&mut self, screen: usize) -> Option<&mut (Source, Rect)> {
        self.screens.get_mut(screen).and_then(Option::as_mut)
    }

    fn set_screen(&mut self, screen: usize, source: Source, rect: Rect) {
        if self.screens.len() <= screen {
            self.screens.resize_with(screen + 1, || None);
        }
        self.screens[screen] = Some((source, rect));
    }

    fn drop_source(&mut self, screen: usize) {
        match self.screens.get_mut(screen).and_then(Option::take) {
            Some((Source::Uploaded(u), _)) => u.delete(&self.gl),
            Some((Source::Imported { image, texture, .. }, _)) => {
                // SAFETY: deleting a texture this renderer made.
                unsafe { self.gl.delete_texture(texture) };
                self.egl.destroy_image(image);
            }
            None => {}
        }
    }

    fn drop_cursor(&mut self) {
        if let Some(c) = self.cursor.take() {
            // SAFETY: deleting a texture this renderer made.
            unsafe { self.gl.delete_texture(c.texture) };
        }
    }
}

impl Drop for Renderer {
    fn drop(&mut self) {
        // GL objects go while the context is current; EGL and the window follow as fields.
        if self.egl.make_current().is_ok() {
            for screen in 0..self.screens.len() {
                self.drop_source(screen);
            }
            self.drop_cursor();
            match &mut self.output {
                Output::Offscreen(o) => o.delete(&self.gl),
                Output::Lease(s) => s.delete(&self.gl),
                Output::Window(_) => {}
            }
            // SAFETY: deleting the program this renderer made.
            unsafe { self.gl.delete_program(self.program.program) };
        }
    }
}
