<?php

declare(strict_types=1);

namespace Drupal\media_gallery\Form;

use Drupal\Core\Config\ConfigFactoryInterface;
use Drupal\Core\Config\TypedConfigManagerInterface;
use Drupal\Core\Entity\EntityTypeManagerInterface;
use Drupal\Core\Form\ConfigFormBase;
use Drupal\Core\Form\FormStateInterface;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Settings of the photo galleries: album vocabulary, image styles and quota.
 */
class GallerySettingsForm extends ConfigFormBase {

  /**
   * Bytes in one mebibyte, the unit the quota is entered in.
   */
  protected const MIB = 1048576;

  public function __construct(
    ConfigFactoryInterface $config_factory,
    TypedConfigManagerInterface $typed_config_manager,
    protected readonly EntityTypeManagerInterface $entityTypeManager,
  ) {
    parent::__construct($config_factory, $typed_config_manager);
  }

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container): static {
    return new static(
      $container->get('config.factory'),
      $container->get('config.typed'),
      $container->get('entity_type.manager'),
    );
  }

  /**
   * {@inheritdoc}
   */
  public function getFormId(): string {
    return 'media_gallery_settings';
  }

  /**
   * {@inheritdoc}
   */
  protected function getEditableConfigNames(): array {
    return ['media_gallery.settings'];
  }

  /**
   * {@inheritdoc}
   */
  public function buildForm(array $form, FormStateInterface $form_state): array {
    $config = $this->config('media_gallery.settings');
    $label = static fn ($entity) => $entity->label();
    $vocabularies = array_map($label, $this->entityTypeManager->getStorage('taxonomy_vocabulary')->loadMultiple());
    $styles = array_map($label, $this->entityTypeManager->getStorage('image_style')->loadMultiple());

    $form['vocabulary'] = [
      '#type' => 'select',
      '#title' => $this->t('Album vocabulary'),
      '#options' => $vocabularies,
      '#default_value' => $config->get('vocabulary'),
    ];
    $form['image_style'] = [
      '#type' => 'select',
      '#title' => $this->t('Thumbnail style'),
      '#options' => $styles,
      '#default_value' => $config->get('image_style'),
    ];
    $form['warmup_styles'] = [
      '#type' => 'checkboxes',
      '#title' => $this->t('Generate these styles when an image is saved'),
      '#options' => $styles,
      '#default_value' => $config->get('warmup_styles') ?: [],
    ];
    $form['items_per_album'] = [
      '#type' => 'number',
      '#title' => $this->t('Images per album page'),
      '#min' => 4,
      '#default_value' => $config->get('items_per_album'),
    ];
    $form['quota'] = [
      '#type' => 'number',
      '#title' => $this->t('Storage quota'),
      '#field_suffix' => $this->t('MiB'),
      '#description' => $this->t('Editors are warned at 80% of the quota. Use 0 for no quota.'),
      '#min' => 0,
      '#default_value' => intdiv((int) $config->get('quota_bytes'), self::MIB),
    ];
    return parent::buildForm($form, $form_state);
  }

  /**
   * {@inheritdoc}
   */
  public function submitForm(array &$form, FormStateInterface $form_state): void {
    $image_style = $form_state->getValue('image_style');
    // The thumbnail style is always generated ahead of time.
    $warmup = array_filter($form_state->getValue('warmup_styles'));
    $warmup[$image_style] = $image_style;
    $this->config('media_gallery.settings')
      ->set('vocabulary', $form_state->getValue('vocabulary'))
      ->set('image_style', $image_style)
      ->set('warmup_styles', array_values($warmup))
      ->set('items_per_album', (int) $form_state->getValue('items_per_album'))
      ->set('quota_bytes', (int) $form_state->getValue('quota') * self::MIB)
      ->save();
    parent::submitForm($form, $form_state);
  }

}
