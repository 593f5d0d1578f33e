<?php

declare(strict_types=1);

namespace Drupal\member_directory\Form;

use Drupal\Core\Config\ConfigFactoryInterface;
use Drupal\Core\Config\TypedConfigManagerInterface;
use Drupal\Core\Entity\EntityTypeManagerInterface;
use Drupal\Core\Form\ConfigFormBase;
use Drupal\Core\Form\FormStateInterface;
use Drupal\user\RoleInterface;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Chooses which roles are listed and how the directory pages behave.
 */
class MemberDirectorySettingsForm extends ConfigFormBase {

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
    return 'member_directory_settings';
  }

  /**
   * {@inheritdoc}
   */
  protected function getEditableConfigNames(): array {
    return ['member_directory.settings'];
  }

  /**
   * {@inheritdoc}
   */
  public function buildForm(array $form, FormStateInterface $form_state): array {
    $config = $this->config('member_directory.settings');

    $roles = [];
    foreach ($this->entityTypeManager->getStorage('user_role')->loadMultiple() as $role) {
      if (!in_array($role->id(), [RoleInterface::ANONYMOUS_ID, RoleInterface::AUTHENTICATED_ID], TRUE)) {
        $roles[$role->id()] = $role->label();
      }
    }

    $form['listed_roles'] = [
      '#type' => 'checkboxes',
      '#title' => $this->t('Roles shown in the directory'),
      '#description' => $this->t('Leave all unchecked to list every member who opted in.'),
      '#options' => $roles,
      '#default_value' => $config->get('listed_roles') ?: [],
    ];
    $form['page_size'] = [
      '#type' => 'number',
      '#title' => $this->t('Members per page'),
      '#min' => 6,
      '#max' => 96,
      '#step' => 6,
      '#default_value' => $config->get('page_size'),
    ];
    $form['show_contact_details'] = [
      '#type' => 'checkbox',
      '#title' => $this->t('Show telephone numbers to roles with the "View member contact details" permission'),
      '#default_value' => $config->get('show_contact_details'),
    ];
    return parent::buildForm($form, $form_state);
  }

  /**
   * {@inheritdoc}
   */
  public function submitForm(array &$form, FormStateInterface $form_state): void {
    $roles = array_values(array_filter($form_state->getValue('listed_roles')));
    $this->config('member_directory.settings')
      ->set('listed_roles', $roles)
      ->set('page_size', (int) $form_state->getValue('page_size'))
      ->set('show_contact_details', (bool) $form_state->getValue('show_contact_details'))
      ->save();
    parent::submitForm($form, $form_state);
  }

}
