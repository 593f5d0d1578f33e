<?php

declare(strict_types=1);

namespace Drupal\site_alerts\Form;

use Drupal\Core\Cache\CacheTagsInvalidatorInterface;
use Drupal\Core\Config\ConfigFactoryInterface;
use Drupal\Core\Config\TypedConfigManagerInterface;
use Drupal\Core\Form\ConfigFormBase;
use Drupal\Core\Form\FormStateInterface;
use Drupal\site_alerts\AlertRepositoryInterface;
use Drupal\site_alerts\AlertSeverity;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Configures whether alerts can be dismissed and how long they are archived.
 */
class SiteAlertsSettingsForm extends ConfigFormBase {

  public function __construct(
    ConfigFactoryInterface $config_factory,
    TypedConfigManagerInterface $typed_config_manager,
    protected readonly CacheTagsInvalidatorInterface $cacheTagsInvalidator,
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
      $container->get('cache_tags.invalidator'),
    );
  }

  /**
   * {@inheritdoc}
   */
  public function getFormId(): string {
    return 'site_alerts_settings';
  }

  /**
   * {@inheritdoc}
   */
  protected function getEditableConfigNames(): array {
    return ['site_alerts.settings'];
  }

  /**
   * {@inheritdoc}
   */
  public function buildForm(array $form, FormStateInterface $form_state): array {
    $form['dismissible'] = [
      '#type' => 'checkbox',
      '#title' => $this->t('Let visitors dismiss alerts'),
      '#description' => $this->t('Critical alerts are always shown, whatever this setting says.'),
      '#config_target' => 'site_alerts.settings:dismissible',
    ];
    $form['default_severity'] = [
      '#type' => 'select',
      '#title' => $this->t('Default severity for new alerts'),
      '#options' => AlertSeverity::options(),
      '#config_target' => 'site_alerts.settings:default_severity',
    ];
    $form['archive_days'] = [
      '#type' => 'number',
      '#title' => $this->t('Keep ended alerts for'),
      '#field_suffix' => $this->t('days'),
      '#min' => 0,
      '#max' => 3650,
      '#config_target' => 'site_alerts.settings:archive_days',
    ];
    return parent::buildForm($form, $form_state);
  }

  /**
   * {@inheritdoc}
   */
  public function validateForm(array &$form, FormStateInterface $form_state): void {
    $days = (int) $form_state->getValue('archive_days');
    if ($days > 0 && $days < 7) {
      $form_state->setErrorByName('archive_days', $this->t('Keep ended alerts for at least @min days, or 0 to purge them right away.', [
        '@min' => 7,
      ]));
    }
    parent::validateForm($form, $form_state);
  }

  /**
   * {@inheritdoc}
   */
  public function submitForm(array &$form, FormStateInterface $form_state): void {
    parent::submitForm($form, $form_state);
    // Banners render differently once dismissal is switched on or off.
    $this->cacheTagsInvalidator->invalidateTags([AlertRepositoryInterface::CACHE_TAG]);
  }

}
